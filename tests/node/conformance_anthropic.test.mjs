// Conformance: the official Anthropic TypeScript SDK pointed at the gateway's Anthropic front door
// (/v1/messages), served by an Anthropic-shaped upstream (ant-*) and an OpenAI-shaped one (oai-*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireNodeModules, startGateway } from './gateway_env.mjs';

requireNodeModules();
const { default: Anthropic } = await import('@anthropic-ai/sdk');

let env;
let client;
let fx;

before(async () => {
  env = await startGateway();
  fx = env.fixtures;
  client = new Anthropic({ baseURL: env.gateway, apiKey: 'client-key', maxRetries: 0,
                           timeout: 20000 });
});

after(async () => {
  if (!env) return;
  const { code, stderr } = await env.stop();
  assert.equal(code, 0, 'gateway did not stop cleanly:\n' + stderr);
});

const KINDS = ['ant', 'oai'];
const TOOLS = [{
  name: 'get_weather', description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}];
const hello = [{ role: 'user', content: 'Say hello.' }];

for (const kind of KINDS) {
  test(`messages.create, non-streaming (${kind} upstream)`, async () => {
    const { data, response } = await client.messages
      .create({ model: `${kind}-ok`, max_tokens: 64, messages: hello, system: 'Be brief.' })
      .withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.deepEqual(data.content, [{ type: 'text', text: fx.text }]);
    assert.equal(data.stop_reason, 'end_turn');
    assert.equal(data.usage.input_tokens, fx.input_tokens);
    assert.equal(data.usage.output_tokens, fx.output_tokens);
    assert.equal(response.headers.get('x-switchyard-model'), `${kind}-ok`);
    assert.ok(Number(response.headers.get('x-switchyard-cost')) > 0);
    assert.equal(data.model, `${kind}-ok`, 'response model must be the public name');
  });

  test(`messages.create stream: true iterated (${kind} upstream)`, async () => {
    const stream = await client.messages.create({
      model: `${kind}-ok`, max_tokens: 64, messages: hello, stream: true,
    });
    const types = [];
    let text = '';
    let stop = null;
    let outTokens = null;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
      if (ev.type === 'message_delta') {
        stop = ev.delta.stop_reason;
        outTokens = ev.usage.output_tokens;
      }
    }
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.equal(text, fx.text);
    assert.equal(stop, 'end_turn');
    assert.equal(outTokens, fx.output_tokens);
  });

  test(`messages.stream() helper: text events, finalMessage, finalText (${kind} upstream)`,
       async () => {
    const stream = client.messages.stream({ model: `${kind}-ok`, max_tokens: 64,
                                            messages: hello });
    let deltas = '';
    stream.on('text', (t) => { deltas += t; });
    const final = await stream.finalMessage();
    assert.equal(deltas, fx.text);
    assert.deepEqual(final.content, [{ type: 'text', text: fx.text }]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, fx.output_tokens);
    assert.equal(await stream.finalText(), fx.text);
  });

  test(`tools: tool_use, then the tool_result round trip (${kind} upstream)`, async () => {
    const first = await client.messages.create({
      model: `${kind}-tools`, max_tokens: 64, tools: TOOLS,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use, JSON.stringify(first.content));
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, fx.tool_args);
    const second = await client.messages.create({
      model: `${kind}-echo`, max_tokens: 64, tools: TOOLS,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id,
                                    content: '18C and sunny' }] },
      ],
    });
    const seen = JSON.parse(second.content[0].text);
    const flat = JSON.stringify(seen);
    assert.ok(flat.includes(use.id), 'tool_use id lost on the way upstream: ' + flat);
    assert.ok(flat.includes('18C and sunny'));
    if (kind === 'oai') {
      const asst = seen.messages.find((m) => m.role === 'assistant');
      assert.equal(asst.tool_calls[0].id, use.id);
      assert.deepEqual(JSON.parse(asst.tool_calls[0].function.arguments), fx.tool_args);
      assert.ok(seen.messages.some((m) => m.role === 'tool' && m.tool_call_id === use.id));
    }
  });

  test(`tools streamed: finalMessage has the parsed input (${kind} upstream)`, async () => {
    const final = await client.messages
      .stream({ model: `${kind}-tools`, max_tokens: 64, tools: TOOLS, messages: hello })
      .finalMessage();
    const use = final.content.find((b) => b.type === 'tool_use');
    assert.ok(use, JSON.stringify(final.content));
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, fx.tool_args);
    assert.equal(final.stop_reason, 'tool_use');
  });

  test(`mid-stream upstream failure raises APIError (${kind} upstream)`, async () => {
    const stream = await client.messages.create({
      model: `${kind}-reset-mid-stream`, max_tokens: 64, messages: hello, stream: true,
    });
    await assert.rejects(async () => {
      for await (const ev of stream) void ev;
    }, (err) => err instanceof Anthropic.APIError);
  });

  test(`upstream error event mid-stream raises APIError via the helper (${kind} upstream)`,
       async () => {
    await assert.rejects(
      client.messages.stream({ model: `${kind}-error-event`, max_tokens: 64, messages: hello })
        .finalMessage(),
      (err) => err instanceof Anthropic.AnthropicError);
  });

  test(`upstream 500 → InternalServerError (${kind} upstream)`, async () => {
    await assert.rejects(
      client.messages.create({ model: `${kind}-err-500`, max_tokens: 64, messages: hello }),
      (err) => err instanceof Anthropic.InternalServerError && err.status === 500);
  });

  test(`upstream 400 → BadRequestError (${kind} upstream)`, async () => {
    await assert.rejects(
      client.messages.create({ model: `${kind}-err-400`, max_tokens: 64, messages: hello }),
      (err) => err instanceof Anthropic.BadRequestError && err.status === 400 &&
               err.error?.type === 'error' && err.error?.error?.type === 'invalid_request_error');
  });
}

test('fallback is invisible to the SDK', async () => {
  const { data, response } = await client.messages
    .create({ model: 'route-500-then-ok', max_tokens: 64, messages: hello }).withResponse();
  assert.deepEqual(data.content, [{ type: 'text', text: fx.text }]);
  assert.equal(response.headers.get('x-switchyard-attempts'), '2');
});

test('every target rate limited → RateLimitError', async () => {
  await assert.rejects(
    client.messages.create({ model: 'route-all-429', max_tokens: 64, messages: hello }),
    (err) => err instanceof Anthropic.RateLimitError && err.status === 429 &&
             err.error?.error?.type === 'rate_limit_error');
});

test('missing max_tokens → BadRequestError', async () => {
  await assert.rejects(
    client.messages.create({ model: 'ant-ok', messages: hello }),
    (err) => err instanceof Anthropic.BadRequestError && err.status === 400);
});

test('request id: the SDK sees the id it sent', async () => {
  const { response } = await client.messages
    .create({ model: 'ant-ok', max_tokens: 64, messages: hello },
            { headers: { 'x-request-id': 'sdk-req-2' } })
    .withResponse();
  assert.equal(response.headers.get('x-request-id'), 'sdk-req-2');
});

test('messages.countTokens: the Anthropic upstream counts, another one is estimated', async () => {
  const counted = await client.messages
    .countTokens({ model: 'ant-ok', messages: hello, system: 'Be brief.' })
    .withResponse();
  assert.equal(counted.data.input_tokens, fx.input_tokens);
  assert.equal(counted.response.headers.get('x-switchyard-usage-estimated'), null);
  const estimated = await client.messages
    .countTokens({ model: 'oai-ok', messages: hello })
    .withResponse();
  assert.ok(Number.isInteger(estimated.data.input_tokens) && estimated.data.input_tokens > 0);
  assert.equal(estimated.response.headers.get('x-switchyard-usage-estimated'), 'true');
  await assert.rejects(client.messages.countTokens({ model: 'no-such-model', messages: hello }),
                       (err) => err instanceof Anthropic.NotFoundError && err.status === 404);
});

// Last: a gateway crash here must not hide the tests above.
test('unknown model → NotFoundError (404) or BadRequestError (400)', async () => {
  await assert.rejects(
    client.messages.create({ model: 'no-such-model', max_tokens: 64, messages: hello }),
    (err) => (err instanceof Anthropic.NotFoundError && err.status === 404) ||
             (err instanceof Anthropic.BadRequestError && err.status === 400));
});

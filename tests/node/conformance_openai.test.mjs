// Conformance: the official OpenAI Node SDK pointed at the gateway's OpenAI front door, served by
// an OpenAI-shaped upstream (oai-*) and by an Anthropic-shaped one (ant-*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireNodeModules, startGateway } from './gateway_env.mjs';

requireNodeModules();
const { default: OpenAI } = await import('openai');

let env;
let client;
let fx;

before(async () => {
  env = await startGateway();
  fx = env.fixtures;
  client = new OpenAI({ baseURL: env.gateway + '/v1', apiKey: 'client-key', maxRetries: 0,
                        timeout: 20000 });
});

after(async () => {
  if (!env) return;
  const { code, stderr } = await env.stop();
  assert.equal(code, 0, 'gateway did not stop cleanly:\n' + stderr);
});

const KINDS = ['oai', 'ant'];
const TOOLS = [{
  type: 'function',
  function: {
    name: 'get_weather', description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}];
const hello = [{ role: 'user', content: 'Say hello.' }];

for (const kind of KINDS) {
  test(`create, non-streaming (${kind} upstream)`, async () => {
    const { data, response } = await client.chat.completions
      .create({ model: `${kind}-ok`, messages: hello })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(data.choices[0].message.content, fx.text);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(data.usage.prompt_tokens, fx.input_tokens);
    assert.equal(data.usage.completion_tokens, fx.output_tokens);
    assert.equal(response.headers.get('x-switchyard-model'), `${kind}-ok`);
    assert.ok(response.headers.get('x-request-id'));
    assert.ok(Number(response.headers.get('x-switchyard-cost')) > 0);
    assert.equal(data.model, `${kind}-ok`, 'response model must be the public name');
  });

  test(`create, stream: true iterated (${kind} upstream)`, async () => {
    const stream = await client.chat.completions.create({
      model: `${kind}-ok`, messages: hello, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finish = c.finish_reason ?? finish;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, fx.text);
    assert.equal(finish, 'stop');
    assert.ok(usage, 'no usage chunk although include_usage was asked for');
    assert.equal(usage.prompt_tokens, fx.input_tokens);
    assert.equal(usage.completion_tokens, fx.output_tokens);
  });

  test(`.stream() helper: finalChatCompletion / content events (${kind} upstream)`, async () => {
    const runner = client.chat.completions.stream({ model: `${kind}-ok`, messages: hello });
    let deltas = '';
    runner.on('content', (delta) => { deltas += delta; });
    const final = await runner.finalChatCompletion();
    assert.equal(deltas, fx.text);
    assert.equal(final.choices[0].message.content, fx.text);
    assert.equal(final.choices[0].finish_reason, 'stop');
  });

  test(`tools: tool call, then the tool result round trip (${kind} upstream)`, async () => {
    const first = await client.chat.completions.create({
      model: `${kind}-tools`, messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: TOOLS,
    });
    const msg = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(msg.tool_calls.length, 1);
    const call = msg.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), fx.tool_args);
    // Send the tool result back; the echo upstream answers with the request body it received.
    const second = await client.chat.completions.create({
      model: `${kind}-echo`, tools: TOOLS,
      messages: [{ role: 'user', content: 'Weather in Paris?' }, msg,
                 { role: 'tool', tool_call_id: call.id, content: '18C and sunny' }],
    });
    const seen = JSON.parse(second.choices[0].message.content);
    const flat = JSON.stringify(seen);
    assert.ok(flat.includes(call.id), 'tool call id lost on the way upstream: ' + flat);
    assert.ok(flat.includes('18C and sunny'));
    if (kind === 'ant') {
      const blocks = seen.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
      assert.ok(blocks.some((b) => b.type === 'tool_use' && b.id === call.id));
      assert.ok(blocks.some((b) => b.type === 'tool_result' && b.tool_use_id === call.id));
    } else {
      assert.ok(seen.messages.some((m) => m.role === 'tool' && m.tool_call_id === call.id));
    }
  });

  test(`tools streamed: .stream() helper assembles the call (${kind} upstream)`, async () => {
    const final = await client.chat.completions
      .stream({ model: `${kind}-tools`, messages: hello, tools: TOOLS })
      .finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), fx.tool_args);
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test(`mid-stream upstream failure raises APIError (${kind} upstream)`, async () => {
    const stream = await client.chat.completions.create({
      model: `${kind}-reset-mid-stream`, messages: hello, stream: true,
    });
    let text = '';
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    }, (err) => err instanceof OpenAI.APIError);
    assert.ok(fx.text.startsWith(text));
  });

  test(`truncated stream raises APIError (${kind} upstream)`, async () => {
    await assert.rejects(
      client.chat.completions.stream({ model: `${kind}-truncated-stream`, messages: hello })
        .finalChatCompletion(),
      (err) => err instanceof OpenAI.OpenAIError);
  });

  test(`upstream 500 → InternalServerError (${kind} upstream)`, async () => {
    await assert.rejects(
      client.chat.completions.create({ model: `${kind}-err-500`, messages: hello }),
      (err) => err instanceof OpenAI.InternalServerError && err.status === 500);
  });

  test(`upstream 400 → BadRequestError (${kind} upstream)`, async () => {
    await assert.rejects(
      client.chat.completions.create({ model: `${kind}-err-400`, messages: hello }),
      (err) => err instanceof OpenAI.BadRequestError && err.status === 400 &&
               /fake upstream error 400/.test(err.message));
  });
}

test('fallback is invisible to the SDK', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'route-500-then-ok', messages: hello }).withResponse();
  assert.equal(data.choices[0].message.content, fx.text);
  assert.equal(response.headers.get('x-switchyard-attempts'), '2');
  assert.equal(data.model, 'route-500-then-ok', 'response model must be the public name');
});

test('every target rate limited → RateLimitError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'route-all-429', messages: hello }),
    (err) => err instanceof OpenAI.RateLimitError && err.status === 429);
});

test('invalid field → BadRequestError naming the param', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'oai-ok', messages: hello, temperature: 7 }),
    (err) => err instanceof OpenAI.BadRequestError && err.status === 400 &&
             err.param === 'temperature' && err.type === 'invalid_request_error');
});

test('request id: the SDK sees the id it sent', async () => {
  const { response } = await client.chat.completions
    .create({ model: 'oai-ok', messages: hello }, { headers: { 'x-request-id': 'sdk-req-1' } })
    .withResponse();
  assert.equal(response.headers.get('x-request-id'), 'sdk-req-1');
});

test('embeddings (SDK default base64 encoding is decoded correctly)', async () => {
  const res = await client.embeddings.create({ model: 'oai-embed', input: ['a', 'b'] });
  assert.equal(res.object, 'list');
  assert.equal(res.data.length, 2);
  res.data.forEach((d, i) => {
    assert.equal(d.index, i);
    assert.equal(d.embedding.length, fx.embed_dim);
    d.embedding.forEach((v, j) => assert.ok(Math.abs(v - fx.embeddings[i][j]) < 1e-5));
  });
  assert.equal(res.usage.prompt_tokens > 0, true);
});

test('embeddings with encoding_format float', async () => {
  const res = await client.embeddings.create({ model: 'oai-embed', input: 'a',
                                               encoding_format: 'float' });
  res.data[0].embedding.forEach((v, j) => assert.ok(Math.abs(v - fx.embeddings[0][j]) < 1e-5));
});

test('models.list() lists models and routes', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  for (const id of ['oai-ok', 'ant-ok', 'oai-embed', 'route-500-then-ok']) {
    assert.ok(ids.includes(id), `${id} missing from ${ids}`);
  }
});

// Last: a gateway crash here must not hide the tests above.
test('unknown model → NotFoundError (404) or BadRequestError (400)', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: hello }),
    (err) => (err instanceof OpenAI.NotFoundError && err.status === 404) ||
             (err instanceof OpenAI.BadRequestError && err.status === 400));
});

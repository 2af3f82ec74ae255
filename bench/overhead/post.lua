-- wrk script: POST a realistic chat completion request. STREAM=1 in the environment asks for a
-- stream. wrk counts a request done when the whole response (Content-Length or chunked) is read.
local stream = os.getenv("STREAM") == "1"
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer x"
wrk.body = '{"model":"m",' .. (stream and '"stream":true,' or '') ..
  '"messages":[{"role":"system","content":"You are a helpful assistant."},' ..
  '{"role":"user","content":"Write one sentence about foxes."}],"temperature":0.7,"max_tokens":64}'


-- wrk script: POST the consultation form, each request with its own one-time token and its own
-- client address (X-Forwarded-For, trusted in bench mode), so every request is a new patient.
-- Arguments: the folder holding post-body.txt and post-tokens.txt, the thread count, and a run
-- number that keeps one run's addresses apart from the last run's rate-limit counters.
local counter = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1]
  local f = assert(io.open(dir .. "/post-body.txt"))
  body = f:read("*l")
  path = f:read("*l")
  cookie = f:read("*l")
  f:close()
  tokens = {}
  for line in io.lines(dir .. "/post-tokens.txt") do
    table.insert(tokens, line)
  end
  nthreads = tonumber(args[2])
  run = tonumber(args[3]) % 256
  index = id
end

function request()
  local token = tokens[index]
  index = index + nthreads
  if index > #tokens then index = id end
  counter = counter + 1
  local client = counter * nthreads + id
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", run, math.floor(client / 256) % 256, client % 256
    ),
  }
  return wrk.format("POST", path, headers, body .. "&token=" .. token)
end

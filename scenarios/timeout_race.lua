-- Timeout versus reply: only the "any" timer mode finds this.
--
-- The client calls the server with a 100 ms timeout; the server needs 50 ms.
-- With quiescent timers (the default) time only advances when nothing else
-- can run, so the reply always wins. Real timers can fire early under load:
-- with timers = "any" the scheduler may fire the client's timeout first.
-- The client then sends its second request and takes the late reply to the
-- first as the answer to the second. The fixed twin tags requests with a
-- reference and only accepts the matching reply.
local ls = lockstep

local function server()
  ls.label("server")
  while true do
    local req = ls.receive()
    ls.sleep(req.work)
    ls.send(req.from, { "reply", req.n })
  end
end

local function call(srv, n)
  ls.send(srv, { from = ls.self(), n = n, work = 50 })
  local r = ls.receive(function(m) return m[1] == "reply" end, 100)
  if r == nil then return "timeout" end
  return r[2]
end

ls.test("each call gets its own reply", { strategy = "random", timers = "any", iterations = 300 }, function()
  local srv = ls.spawn(server)
  call(srv, 1)
  local second = call(srv, 2)
  if second ~= "timeout" and second ~= 2 then
    error("request 2 got the reply to request " .. tostring(second))
  end
end)

ls.test("each call gets its own reply, quiescent timers", { strategy = "random", iterations = 300 }, function()
  local srv = ls.spawn(server)
  call(srv, 1)
  local second = call(srv, 2)
  if second ~= "timeout" and second ~= 2 then
    error("request 2 got the reply to request " .. tostring(second))
  end
end)

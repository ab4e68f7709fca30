-- A retry path that runs: the twin of retry_path.lua. The client takes its
-- own receive timeouts out of the quiescent order (`ls.timers("any")`), so
-- a timeout may fire before the server's answer and the retry runs; the
-- goal is met, and a client that retried still matches each answer to its
-- request by id.
local ls = lockstep

local function server()
  ls.label("server")
  while true do
    local req = ls.receive()
    ls.sleep(50)
    ls.send(req.from, { "value", req.id, 42 })
  end
end

ls.test("the client's retry is exercised", { strategy = "pos", iterations = 300 }, function()
  local srv = ls.spawn(server)
  local me = ls.self()
  ls.timers("any")  -- this process's timeouts may fire at any step
  local answer
  for attempt = 1, 3 do  -- the last attempt waits as long as it takes
    ls.send(srv, { from = me, id = attempt })
    local match = function(m) return m[1] == "value" and m[2] == attempt end
    answer = ls.receive(match, attempt < 3 and 100 or "infinity")
    if answer then break end
    ls.reachable("the client retries")
  end
  assert(answer[3] == 42)
end)

-- A retry path that never runs: a goal the iterations never meet.
--
-- A client asks a flaky server for a value and retries when no answer
-- comes within 100 ms; the retry is the point of the test, so it is a goal
-- (`ls.reachable("the client retries")`). The server answers every
-- request, after 50 ms of work. Under the default quiescent timers a
-- timeout fires only once nothing else can run, so the answer always
-- comes first: the test would pass every iteration without the retry ever
-- running. With the goal it is UNMET instead, and its warning says why
-- (receive timeouts that never fired). The fixed twin
-- (retry_path_fixed.lua) lets the client's own timeouts fire at any step
-- (`ls.timers("any")`), so the retry runs, and checks that a retried
-- client still gets exactly one answer per request.
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

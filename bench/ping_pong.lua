-- A ping-pong of 200 round trips between two processes, 2,000 iterations:
-- bench/run.sh times it whole-process in text, JSON, and with --coverage.
local ls = lockstep
ls.test("ping-pong", { iterations = 2000 }, function()
  local me = ls.self()
  local p = ls.spawn(function()
    for i = 1, 200 do local m = ls.receive(); ls.send(me, m + 1) end
  end)
  local x = 0
  for i = 1, 200 do ls.send(p, x); x = ls.receive() end
end)

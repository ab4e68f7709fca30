-- Spawn, then monitor: the child may already be gone.
--
-- A parent starts a job and monitors it to learn how it ended: the job
-- exits with its result as the reason. Spawning and monitoring in two
-- steps leaves a window: when the job ends in between, the monitor finds
-- no process and the DOWN says "noproc", so the result is lost (the
-- classic Erlang spawn-then-monitor race). The fixed twin
-- (monitor_race_fixed.lua) uses ls.spawn_monitor, one atomic step.
local ls = lockstep

local function job(n)
  ls.label("job")
  ls.exit({ "result", n * n })
end

ls.test("the parent learns the job's result", { strategy = "random", iterations = 200 }, function()
  local pid = ls.spawn(job, 7)
  local ref = ls.monitor(pid)
  local down = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end)
  local reason = down[4]
  if type(reason) ~= "table" then error("lost the job's result: DOWN reason is " .. tostring(reason)) end
  assert(reason[2] == 49)
end)

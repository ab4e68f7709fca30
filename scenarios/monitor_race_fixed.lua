-- The fixed twin of monitor_race.lua: ls.spawn_monitor creates the process
-- and the monitor in one step, so the DOWN always carries the job's own
-- exit reason.
local ls = lockstep

local function job(n)
  ls.label("job")
  ls.exit({ "result", n * n })
end

ls.test("the parent learns the job's result", { strategy = "random", iterations = 200 }, function()
  local pid, ref = ls.spawn_monitor(job, 7)
  local down = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end)
  local reason = down[4]
  if type(reason) ~= "table" then error("lost the job's result: DOWN reason is " .. tostring(reason)) end
  assert(reason[2] == 49)
end)

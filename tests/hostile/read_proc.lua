-- hostile: read the machine's clock from /proc
-- exit: 1
-- expect: io.lines: scenarios may not read /proc/uptime
local ls = lockstep
ls.test("proc", function()
  for line in io.lines("/proc/uptime") do print(line) end
end)

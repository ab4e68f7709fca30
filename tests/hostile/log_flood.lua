-- hostile: a process logs a 100 KB line over and over within one step, then fails: the iteration keeps a quarter of max_memory of log text and says the rest was dropped
-- args: --max-memory 2 --strategy random
-- exit: 1
-- expect: later log lines are dropped
-- expect: log flood done
-- expect: ... (100000 bytes)
-- replays: assertion
local ls = lockstep
ls.test("log flood", function()
  local line = string.rep("x", 100000)
  for _ = 1, 1000 do ls.log(line) end
  error("log flood done")
end)

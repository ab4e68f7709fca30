-- hostile: a string pattern that backtracks for longer than the universe lasts
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout in P0(root)
-- expect: backtracking_pattern.lua:11
-- replays: timeout
local ls = lockstep
ls.test("backtracks", function()
  ls.sleep(1)
  local subject, pattern = string.rep("a", 40), string.rep("a*", 40) .. "b"
  local found = subject:find(pattern)
  assert(not found)
end)

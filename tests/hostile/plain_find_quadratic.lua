-- hostile: a plain find whose needle nearly matches everywhere (10^12 comparisons)
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
-- replays: timeout
local ls = lockstep
ls.test("find", function()
  local hay = string.rep("a", 2000000)
  return hay:find(string.rep("a", 1000000) .. "b", 1, true)
end)

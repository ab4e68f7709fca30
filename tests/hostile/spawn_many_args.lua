-- hostile: spawn with 100,000 arguments (overflowed the new process's stack)
-- exit: 1
-- expect: spawn: too many arguments (100000; at most 1000: pass a table)
local ls = lockstep
ls.test("arguments", function()
  local args = {}
  for i = 1, 100000 do args[i] = i end
  ls.spawn(function(...) return select("#", ...) end, table.unpack(args))
end)

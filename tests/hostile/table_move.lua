-- hostile: table.move over 10^15 indices (one C loop in stock Lua)
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
-- expect: table_move.lua:9
local ls = lockstep
ls.test("move", function()
  ls.sleep(1)
  table.move({}, 1, 1e15, 2)
end)

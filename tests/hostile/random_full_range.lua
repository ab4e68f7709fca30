-- hostile: math.random over the whole integer range (stock Lua allows it)
-- exit: 0
-- expect: 1 passed
local ls = lockstep
ls.test("full range", function()
  local x = math.random(math.mininteger, math.maxinteger)
  assert(math.type(x) == "integer")
  assert(math.random(math.maxinteger, math.maxinteger) == math.maxinteger)
end)

-- coroutine: a coroutine driven by hand. Line 5 is flagged.
local ls = lockstep

ls.test("a generator", function()
  local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
  assert(gen() == 1)
end)

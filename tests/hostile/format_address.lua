-- hostile: format an address with %p
-- exit: 1
-- expect: string.format: %p is not available in scenarios
local ls = lockstep
ls.test("format %p", function()
  print(string.format("%p", {}))
end)

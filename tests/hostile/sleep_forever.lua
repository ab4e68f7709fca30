-- hostile: sleep for math.huge (returned at once) and 3 x 2^62 ms (overflowed the deadline)
-- exit: 1
-- expect: deadlock
local ls = lockstep
ls.test("sleeps", function()
  ls.sleep(2 ^ 62)
  ls.sleep(2 ^ 62)
  ls.sleep(2 ^ 62)
  assert(ls.now() > 0)
  ls.sleep(math.huge)
end)

-- hostile: read real randomness (a run would no longer replay)
-- exit: 1
-- expect: io.open: scenarios may not read /dev/urandom
local ls = lockstep
ls.test("urandom", function()
  assert(io.open("/dev/urandom"))
end)

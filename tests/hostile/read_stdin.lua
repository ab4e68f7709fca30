-- hostile: read /dev/stdin (blocks for ever, out of reach of iter_timeout)
-- exit: 1
-- expect: io.open: scenarios may not read /dev/stdin
local ls = lockstep
ls.test("stdin", function()
  assert(io.open("/dev/stdin")):read("a")
end)

-- hostile: open a file for writing
-- exit: 1
-- expect: io.open: scenarios may only read files (mode "r"), not "w"
local ls = lockstep
ls.test("write", function()
  assert(io.open("/tmp/lockstep-hostile-write", "w"))
end)

-- hostile: run a shell command through io.popen
-- exit: 1
-- expect: attempt to call a nil value (field 'popen')
local ls = lockstep
ls.test("popen", function()
  assert(require("io").popen == nil and package.loaded.io.popen == nil)
  io.popen("touch /tmp/lockstep-hostile-popen")
end)

-- hostile: call a process-only function at the top level
-- exit: 3
-- expect: lockstep.send can only be called by a process
local ls = lockstep
ls.send(ls.self and 1 or 2, "hello")

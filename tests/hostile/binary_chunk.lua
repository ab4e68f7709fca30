-- hostile: load bytecode (modified bytecode can crash the interpreter)
-- exit: 1
-- expect: attempt to load a binary chunk
local ls = lockstep
ls.test("bytecode", function()
  local chunk = string.dump(function() return 1 end)
  assert(load(chunk))
end)

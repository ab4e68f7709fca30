-- shared-local: the root and a worker share `done` (a Lua local), so the
-- worker's write is a race the scheduler never sees. Line 8 is flagged.
local ls = lockstep

ls.test("a worker sets a flag", function()
  local done = false
  ls.spawn(function()
    done = true
  end)
  ls.sleep(10)
  if not done then error("the worker did not finish") end
end)

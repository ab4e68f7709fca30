-- os-io: the wall clock decides the schedule's data. Line 5 is flagged.
local ls = lockstep

ls.test("uses the wall clock", function()
  local started = os.clock()
  ls.sleep(1)
  assert(started >= 0)
end)

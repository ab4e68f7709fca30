-- A loop whose only way out is the clock: after each sleep the process is
-- back at the same place with the same locals, and only the virtual time
-- differs. A state cache that left the time out would take the second
-- pass for the first and never see the loop end; a run that reads the
-- clock makes the search start again with the time in every state.
local ls = lockstep

ls.test("the loop ends when the time is up", function()
  while ls.now() < 300 do ls.sleep(100) end
  error("the time is up")
end)

-- goal-name: a goal named by an expression. Line 9 is flagged; the goals
-- named with literals on lines 7 and 10 are not.
local ls = lockstep

ls.test("stages", function()
  for i = 1, 3 do
    ls.reachable("a stage")
    local name = "stage " .. i
    ls.reachable(name)
    ls.sometimes("the last stage", i == 3)
  end
end)

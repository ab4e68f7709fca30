-- hostile: the same, through gmatch and gsub, and with pcall around it
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
local ls = lockstep
ls.test("backtracks", function()
  local subject, pattern = string.rep("a", 40), string.rep("a*", 40) .. "b"
  while true do
    pcall(string.gsub, subject, pattern, "")
    for _ in subject:gmatch(pattern) do end
  end
end)

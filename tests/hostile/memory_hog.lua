-- hostile: allocate without end
-- args: --max-memory 64
-- exit: 1
-- expect: memory
-- expect: P1
local ls = lockstep
ls.test("hog", function()
  ls.spawn(function()
    local t = {}
    while true do t[#t + 1] = string.rep("x", 1000) .. #t end
  end)
  ls.sleep(1)
end)

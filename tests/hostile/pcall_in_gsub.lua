-- hostile: catch the timeout with pcall, in a loop, inside a string.gsub callback
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
-- expect: pcall_in_gsub.lua:10
-- replays: timeout
local ls = lockstep
ls.test("gsub", function()
  string.gsub("x", "x", function()
    while true do pcall(function() while true do end end) end
  end)
end)

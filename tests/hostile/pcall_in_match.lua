-- hostile: catch the timeout with pcall, in a loop, inside a receive match function
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
-- expect: pcall_in_match.lua:11
-- replays: timeout
local ls = lockstep
ls.test("match", function()
  ls.send(ls.self(), 1)
  ls.receive(function()
    while true do pcall(function() while true do end end) end
  end)
end)

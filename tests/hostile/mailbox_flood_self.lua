-- hostile: a process sends to itself without end (small messages: the copies, not the guest's code, run out of memory)
-- args: --max-memory 16 --max-steps 100000000 --strategy random
-- exit: 1
-- expect: memory
-- expect: ok    the next test runs
-- replays: memory
local ls = lockstep
ls.test("flood", function()
  local i = 0
  while true do
    i = i + 1
    ls.send(ls.self(), i)
  end
end)
ls.test("the next test runs", function()
  ls.send(ls.self(), "one")
  assert(ls.receive() == "one")
end)

-- hostile: a process sends to itself without end (one table of a kilobyte: its copies queued, not the guest's code, run out of memory)
-- args: --max-memory 16 --max-steps 100000000 --strategy random
-- exit: 1
-- expect: memory
-- expect: guest memory passed max_memory
-- expect: ok    the next test runs
-- replays: memory
local ls = lockstep
ls.test("flood", function()
  local t = {}
  for k = 1, 60 do t[k] = k end
  while true do
    ls.send(ls.self(), t)
  end
end)
ls.test("the next test runs", function()
  ls.send(ls.self(), "one")
  assert(ls.receive() == "one")
end)

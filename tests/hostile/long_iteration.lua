-- hostile: one iteration runs millions of cheap steps (max_steps raised far past what its record may hold): its record is counted in max_memory, so it ends as a memory bug whose report and trace stay small
-- args: --max-memory 16 --max-steps 4000000000 --strategy random
-- exit: 1
-- expect: the record of the iteration's steps passed max_memory (16 MB holds 32768 steps at 512 bytes each)
-- expect: the 2 steps above again
-- expect: ok    the next test runs
-- replays: memory
local ls = lockstep
ls.test("ping itself for ever", function()
  while true do
    ls.send(ls.self(), "ping")
    ls.receive()
  end
end)
ls.test("the next test runs", function()
  ls.send(ls.self(), "one")
  assert(ls.receive() == "one")
end)

-- hostile: a process floods another that never takes the messages, on two nodes
-- args: --max-memory 16 --max-steps 100000000 --strategy pct
-- exit: 1
-- expect: memory
-- expect: guest memory passed max_memory
-- expect: ok    the next test runs
-- replays: memory
local ls = lockstep
ls.test("flood", function()
  ls.cluster.start_nodes({"a"})
  local sink = ls.spawn_on("a", function()
    ls.receive(function(m) return m == "never" end)
  end)
  local t = {}
  for k = 1, 60 do t[k] = k end
  while true do
    ls.send(sink, t)
  end
end)
ls.test("the next test runs", function()
  ls.send(ls.self(), "one")
  assert(ls.receive() == "one")
end)

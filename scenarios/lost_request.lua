-- A request that is never answered: a liveness bug.
--
-- A key-value server compacts its log now and then; a compactor process
-- tells it when to start and when it is done. The server drops any request
-- that arrives while it compacts, and the client never retries: it waits,
-- checking every 100 ms. Nothing deadlocks (the client's timer keeps
-- firing), nothing crashes, no invariant breaks: without a liveness monitor
-- the iteration only runs until max_steps. The monitor "the request is
-- answered" is hot from the request on; under a fair strategy a monitor
-- hot for more than liveness_steps steps is a `liveness` bug.
--
-- The fixed twin (lost_request_fixed.lua) waits for the end of the
-- compaction with a selective receive, so the request stays queued.
local ls = lockstep

local function server()
  ls.label("server")
  local compacting = false
  while true do
    local m = ls.receive()
    if m == "compact" then
      compacting = true
    elseif m == "compacted" then
      compacting = false
    elseif type(m) == "table" and m[1] == "get" and not compacting then
      ls.send(m[2], { "value", 42 })
    end -- a request that arrives during a compaction is lost
  end
end

ls.test("every request is answered",
  { strategy = "random", iterations = 200, liveness_steps = 200, max_steps = 2000 }, function()
  local pending = ls.atomics.new(1)
  ls.liveness("the request is answered", function() return ls.atomics.get(pending, 1) == 1 end)
  local kv = ls.spawn(server)
  ls.spawn(function()
    ls.label("compactor")
    ls.send(kv, "compact")
    ls.send(kv, "compacted")
  end)
  ls.atomics.put(pending, 1, 1)
  ls.send(kv, { "get", ls.self() })
  while not ls.receive(function(m) return m[1] == "value" end, 100) do end
  ls.atomics.put(pending, 1, 0)
end)

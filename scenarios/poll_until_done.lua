-- Polling until a job is done: a loop that only a search that remembers
-- states can prove.
--
-- A worker stores a job's result and marks the job done; a server answers
-- status queries from the table; the client asks again and again until
-- the answer is "done", then reads the result. The client may ask any
-- number of times before the worker runs, so the schedules end only where
-- max_steps cuts them off: `--strategy dfs --state-cache off` runs 1,999
-- of them (10 million steps) before it is done. With the cache (the
-- default: it turns to the cache at every state once a run comes back to
-- a state without time moving on), a client back at the top of its loop
-- with nothing new to see is a state explored before, and the search ends
-- in 77 states.
--
-- The bug: the worker marks the job done before it stores the result, so
-- a client polling in between finds no result. The fixed twin
-- (poll_until_done_fixed.lua) stores the result first.
local ls = lockstep

ls.test("the client reads the job's result once it is done", { strategy = "pos", iterations = 300 }, function()
  local jobs = ls.ets.new("jobs", { access = "public" })
  local server = ls.spawn(function()
    ls.label("server")
    while true do
      local query = ls.receive()
      local row = ls.ets.lookup(jobs, "job")[1]
      ls.send(query.from, row and row[2] or "pending")
    end
  end)
  ls.spawn(function()
    ls.label("worker")
    ls.ets.insert(jobs, { "job", "done" })
    ls.ets.insert(jobs, { "result", 42 })
  end)
  local status
  repeat
    ls.send(server, { from = ls.self() })
    status = ls.receive()
  until status == "done"
  local result = ls.ets.lookup(jobs, "result")[1]
  assert(result and result[2] == 42, "the job is done but has no result")
end)

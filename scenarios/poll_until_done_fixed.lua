-- Polling until a job is done, fixed: the worker stores the result before
-- it marks the job done, so a client told "done" always finds it (see
-- poll_until_done.lua). `lockstep run poll_until_done_fixed.lua --strategy
-- dfs` proves it in 77 states (the state cache at every state, which the
-- search turns to when the client's loop comes back round): every state
-- of the polling loop is explored once, however often the client polls.
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
    ls.ets.insert(jobs, { "result", 42 })
    ls.ets.insert(jobs, { "job", "done" })
  end)
  local status
  repeat
    ls.send(server, { from = ls.self() })
    status = ls.receive()
  until status == "done"
  local result = ls.ets.lookup(jobs, "result")[1]
  assert(result and result[2] == 42, "the job is done but has no result")
end)

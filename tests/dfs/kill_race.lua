-- A process starts a worker and kills it at once. Run first, the worker
-- inserts a row (and may even end) before the kill; killed first, it never
-- runs. The kill replaces what the worker was about to do, so the two race:
-- dfs must run both, as running every interleaving does (4 classes: killed
-- before it starts, after it starts, after its insert, after its end).
local ls = lockstep

ls.test("a kill races with the step it replaces", function()
  local t = ls.ets.new("t", { access = "public" })
  ls.spawn(function()
    local worker = ls.spawn(function() ls.ets.insert(t, { "ran", true }) end)
    ls.exit(worker, "kill")
  end)
  ls.sleep(1)
end)

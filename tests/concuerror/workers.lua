-- Port of Concuerror's dpor_tests/src/workers.erl: a server hands out two
-- work items to two workers and collects their results, polling for
-- results (a receive with timeout 0) before it takes the next request.
-- The root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 200 interleavings, 0 errors
local ls = lockstep
local LOW, HIGH, ADD, WORKERS = 1, 2, 10, 2

local function tagged(tag) return function(m) return type(m) == "table" and m[1] == tag end end

local function server(workers, work, result, parent)
  while not (workers == 0 and #work == 0) do
    local m = ls.receive(tagged("res"), 0)
    if m then
      table.insert(result, 1, m[2])
    else
      m = ls.receive(function(m) return m == "exit" or (type(m) == "table" and m[1] == "work") end)
      if m == "exit" then
        workers = workers - 1
      elseif #work > 0 then
        ls.send(m[2], { "work", table.remove(work, 1) })
      else
        ls.send(m[2], "no_work")
      end
    end
  end
  table.sort(result)
  ls.send(parent, { "ok", result })
end

local function worker(pid)
  while true do
    ls.send(pid, { "work", ls.self() })
    local m = ls.receive(function(m) return m == "no_work" or (type(m) == "table" and m[1] == "work") end)
    if m == "no_work" then
      ls.send(pid, "exit")
      return
    end
    ls.send(pid, { "res", m[2] + ADD })
  end
end

ls.test("workers", function()
  local work = {}
  for i = LOW, HIGH do work[#work + 1] = i end
  local pid, ref = ls.spawn_monitor(server, WORKERS, work, {}, ls.self())
  local refs = { ref }
  for i = 1, WORKERS do
    local _, r = ls.spawn_monitor(worker, pid)
    refs[#refs + 1] = r
  end
  local res = ls.receive(tagged("ok"))[2]
  for i = LOW, HIGH do assert(res[i - LOW + 1] == i + ADD, "wrong result") end
  for _, r in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == r end)
  end
end)

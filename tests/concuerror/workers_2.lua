-- Port of Concuerror's dpor_tests/src/workers_2.erl: as workers.lua, but
-- when the work runs out the server collects both results and hands the
-- latest out again, twice, before it lets the workers go.
-- The root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 1296 interleavings, 0 errors
local ls = lockstep
local LOW, HIGH, ADD, WORKERS, RETRIES = 1, 2, 10, 2, 2

local function tagged(tag) return function(m) return type(m) == "table" and m[1] == tag end end

local function collect_res()
  local acc = {}
  for _ = 1, HIGH - LOW + 1 do table.insert(acc, 1, ls.receive(tagged("res"))[2]) end
  return acc
end

local function server(parent)
  local workers, retries, work = WORKERS, RETRIES, {}
  for i = LOW, HIGH do work[#work + 1] = i end
  while not (workers == 0 and retries == 0 and #work == 0) do
    local m = ls.receive(function(m) return m == "exit" or (type(m) == "table" and m[1] == "work") end)
    if m == "exit" then
      workers = workers - 1
    elseif #work > 0 then
      ls.send(m[2], { "work", table.remove(work, 1) })
    elseif retries == 0 then
      ls.send(m[2], "no_work")
    else
      work = collect_res()
      ls.send(m[2], { "work", table.remove(work, 1) })
      retries = retries - 1
    end
  end
  local result = collect_res()
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

ls.test("workers_2", function()
  local pid, ref = ls.spawn_monitor(server, ls.self())
  local refs = { ref }
  for _ = 1, WORKERS do
    local _, r = ls.spawn_monitor(worker, pid)
    refs[#refs + 1] = r
  end
  local res = ls.receive(tagged("ok"))[2]
  for i = LOW, HIGH do assert(res[i - LOW + 1] == i + (1 + RETRIES) * ADD, "wrong result") end
  for _, r in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == r end)
  end
end)

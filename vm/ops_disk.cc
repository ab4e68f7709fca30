// A durable store per node (ls.disk, docs/cluster.md): puts and deletes
// are buffered until sync; a node that stops keeps what was synced and a
// prefix of the rest (vm/ops_cluster.cc, stop_node).
#include <algorithm>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

void Vm::add_disk_ops(OpTable& table) {
  for (StepKind k : {StepKind::kDiskPut, StepKind::kDiskGet, StepKind::kDiskDelete, StepKind::kDiskSync}) {
    table[static_cast<size_t>(k)] = {&Vm::access_disk, &Vm::perform_disk};
  }
}

void Vm::access_disk(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kDiskPut:
    case StepKind::kDiskDelete:
      out.object = disk_object(procs_[pid].node, op.as<DiskArgs>().key);
      out.writes = true;
      break;
    case StepKind::kDiskGet:
      out.object = disk_object(procs_[pid].node, op.as<DiskArgs>().key);
      break;
    case StepKind::kDiskSync:
      out.object = object::node(procs_[pid].node);  // what a crash keeps
      break;
    default:
      break;
  }
}

bool Vm::perform_disk(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  const NodeId here = procs_[pid].node;
  if (op.kind == StepKind::kDiskSync) {
    perform_disk_sync(pid, reply);
    return true;
  }
  DiskArgs& args = op.as<DiskArgs>();
  switch (op.kind) {
    case StepKind::kDiskPut:
    case StepKind::kDiskDelete: {
      Node& node = net_.nodes[here];
      touch(object::node(here), false);  // what a crash of the node keeps
      const bool put = op.kind == StepKind::kDiskPut;
      if (sink_) emit(op.kind, pid, -1, args.text + (put ? " = " + guest_.render(args.value) : ""));
      node.unsynced.emplace_back(args.key, put ? std::exchange(args.value, 0) : 0);
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kDiskGet: {
      const Node& node = net_.nodes[here];
      ValueRef found = 0;
      bool known = false;
      for (auto it = node.unsynced.rbegin(); it != node.unsynced.rend() && !known; ++it) {
        if (it->first == args.key) {
          known = true;
          found = it->second;
        }
      }
      if (!known) {
        auto it = node.disk.find(args.key);
        if (it != node.disk.end()) found = it->second;
      }
      if (sink_) emit(StepKind::kDiskGet, pid, -1, args.text + " -> " + (found ? guest_.render(found) : "nil"));
      const ValueRef fallback = std::exchange(args.value, 0);
      if (found) {
        reply.kind = Reply::Kind::kCopyOf;
        reply.value = found;
        if (fallback) guest_.release(fallback);
      } else if (args.has_fallback) {
        reply.kind = Reply::Kind::kValue;
        reply.value = fallback;
      } else {
        reply.kind = Reply::Kind::kNil;
      }
      break;
    }
    default:
      break;
  }
  return true;
}

void Vm::perform_disk_sync(Pid pid, Reply& reply) {
  const NodeId here = procs_[pid].node;
  Node& node = net_.nodes[here];
  if (sink_) emit(StepKind::kDiskSync, pid, -1, std::to_string(node.unsynced.size()) + " writes");
  for (auto& write : node.unsynced) {
    touch(disk_object(here, write.first), true);
    apply_disk_write(node, write);
  }
  node.unsynced.clear();
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
}

uint64_t Vm::disk_object(NodeId node, const std::string& key) const {
  return object::disk(fnv1a(key) ^ (0x9e3779b97f4a7c15ull * (node + 1)));
}

void Vm::apply_disk_write(Node& node, std::pair<std::string, ValueRef>& write) {
  auto it = node.disk.find(write.first);
  if (it != node.disk.end()) {
    guest_.release(it->second);
    if (write.second) {
      it->second = write.second;
    } else {
      node.disk.erase(it);
    }
  } else if (write.second) {
    node.disk.emplace(write.first, write.second);
  }
  write.second = 0;
}

void Vm::post_disk_put(std::string key, std::string text, ValueRef value) {
  post<DiskArgs>(StepKind::kDiskPut) = {std::move(key), std::move(text), value, false};
}

void Vm::post_disk_get(std::string key, std::string text, ValueRef fallback, bool has_fallback) {
  post<DiskArgs>(StepKind::kDiskGet) = {std::move(key), std::move(text), fallback, has_fallback};
}

void Vm::post_disk_delete(std::string key, std::string text) {
  post<DiskArgs>(StepKind::kDiskDelete) = {std::move(key), std::move(text), 0, false};
}

void Vm::post_disk_sync() { post<NoArgs>(StepKind::kDiskSync); }

}  // namespace lockstep::vm

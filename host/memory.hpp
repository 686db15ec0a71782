// SPDX-License-Identifier: MIT
// Host memory: a sparse, page-granular physical address space with
// dma_alloc_coherent-like allocations. CPU code reaches it through direct
// pointers (DMI); the NIC reaches it only through the PCIe link.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rxpath::host {

inline constexpr uint64_t PAGE_SIZE = 4096;  // x86-64 base page

// One contiguous allocation (a run of pages).
struct DmaRegion {
  uint64_t dma = 0;      // bus address (page aligned)
  std::size_t size = 0;  // bytes, a multiple of PAGE_SIZE
  std::unique_ptr<uint8_t[]> data;
  std::string owner;  // who asked for it (for reports)
};

class HostMemory {
 public:
  // base: first bus address handed out; above 4 GiB by default so that
  // RDBAH is exercised.
  explicit HostMemory(uint64_t base = 0x1'0000'0000ull) : base_(base), next_(base) {}

  // dma_alloc_coherent (kernel/dma/mapping.c): page-aligned, zeroed region
  // of at least `size` bytes. Returns the bus address; `cpu` gets the DMI
  // pointer. Throws std::invalid_argument on size 0.
  uint64_t dma_alloc_coherent(std::size_t size, uint8_t** cpu, const std::string& owner = "");
  // dma_free_coherent: releases a region by its base address. Throws
  // std::invalid_argument if `dma` is not the base of a live region.
  void dma_free_coherent(uint64_t dma);

  // The DMI pointer for [addr, addr+len), or nullptr when the range is not
  // inside one allocation.
  uint8_t* dmi(uint64_t addr, std::size_t len);
  // True when [addr, addr+len) lies inside one allocation.
  bool valid(uint64_t addr, std::size_t len) { return dmi(addr, len) != nullptr; }

  std::size_t bytes_allocated() const { return allocated_; }
  // Bumps on every free: a DMI pointer taken at generation g is still valid
  // while generation() == g.
  uint64_t generation() const { return generation_; }
  std::size_t regions() const { return regions_.size(); }

 private:
  std::map<uint64_t, DmaRegion> regions_;  // by base address
  uint64_t base_;
  uint64_t next_;
  std::size_t allocated_ = 0;
  uint64_t generation_ = 0;
  std::vector<DmaRegion*> pages_;                  // page table: (addr - base_) / PAGE_SIZE -> region
  const DmaRegion* last_[2] = {nullptr, nullptr};  // most recent hits (ring + a buffer)
};

}  // namespace rxpath::host

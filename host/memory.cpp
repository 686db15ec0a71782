// SPDX-License-Identifier: MIT
// Host memory: sparse page-granular allocations (see memory.hpp).
#include "host/memory.hpp"

#include <cstring>
#include <stdexcept>

namespace rxpath::host {

uint64_t HostMemory::dma_alloc_coherent(std::size_t size, uint8_t** cpu, const std::string& owner) {
  if (size == 0) throw std::invalid_argument("dma_alloc_coherent: size must be > 0");
  const std::size_t bytes = (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  DmaRegion r;
  r.dma = next_;
  r.size = bytes;
  r.data.reset(new uint8_t[bytes]);
  std::memset(r.data.get(), 0, bytes);
  r.owner = owner;
  // Leave one unmapped guard page between regions so an overrun is an
  // address error on the link, not a silent write into a neighbour.
  next_ += bytes + PAGE_SIZE;
  allocated_ += bytes;
  if (cpu) *cpu = r.data.get();
  const uint64_t dma = r.dma;
  DmaRegion& stored = regions_.emplace(dma, std::move(r)).first->second;
  pages_.resize((next_ - base_) / PAGE_SIZE, nullptr);
  for (uint64_t a = dma; a < dma + bytes; a += PAGE_SIZE) pages_[(a - base_) / PAGE_SIZE] = &stored;
  return dma;
}

void HostMemory::dma_free_coherent(uint64_t dma) {
  auto it = regions_.find(dma);
  if (it == regions_.end())
    throw std::invalid_argument("dma_free_coherent: 0x" + std::to_string(dma) + " is not the base of an allocation");
  allocated_ -= it->second.size;
  ++generation_;
  for (uint64_t a = dma; a < dma + it->second.size; a += PAGE_SIZE) pages_[(a - base_) / PAGE_SIZE] = nullptr;
  last_[0] = last_[1] = nullptr;
  regions_.erase(it);
}

uint8_t* HostMemory::dmi(uint64_t addr, std::size_t len) {
  const DmaRegion* r = nullptr;
  for (const DmaRegion* c : last_)
    if (c && addr >= c->dma && addr - c->dma < c->size) {
      r = c;
      break;
    }
  if (!r) {
    if (addr < base_ || (addr - base_) / PAGE_SIZE >= pages_.size()) return nullptr;
    r = pages_[(addr - base_) / PAGE_SIZE];
    if (!r) return nullptr;
    last_[1] = last_[0];
    last_[0] = r;
  }
  const uint64_t off = addr - r->dma;
  if (len > r->size - off) return nullptr;
  return r->data.get() + off;
}

}  // namespace rxpath::host

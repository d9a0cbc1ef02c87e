import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ChunkList } from '../../src/engine/sqlite/chunk-list.js'

/** Chunk i (1-based) has id 10·i and holds offsets up to 3·i. */
function listOf(count: number): ChunkList {
  const list = new ChunkList()
  for (let i = 1; i <= count; i++) list.push(10 * i, 3 * i)
  return list
}

const ids = (list: ChunkList): number[] => Array.from({ length: list.size }, (_, i) => list.idAt(i))

test('indexAfter finds the oldest chunk holding an offset after the one given', () => {
  const list = listOf(5)
  assert.deepEqual([0, 2, 3, 4, 14, 15, 99].map((seq) => list.indexAfter(seq)), [0, 0, 1, 1, 4, 5, 5])
  assert.equal(new ChunkList().indexAfter(0), 0)
})

test('takeThroughSeq removes and returns the chunks wholly at or below an offset', () => {
  const list = listOf(5)
  assert.deepEqual(list.takeThroughSeq(7), [10, 20])
  assert.deepEqual([list.size, list.oldestLastSeq, list.indexAfter(9), list.idAt(0)], [3, 9, 1, 30])
  assert.deepEqual(list.takeThroughSeq(7), [])
  assert.deepEqual(list.takeThroughSeq(100), [30, 40, 50])
  assert.deepEqual([list.size, list.oldestLastSeq], [0, 0])
  list.push(60, 18)
  assert.deepEqual(ids(list), [60])
})

test('dropThroughId removes the chunks the sweep deleted', () => {
  const list = listOf(4)
  list.dropThroughId(25)
  assert.deepEqual(ids(list), [30, 40])
  list.dropThroughId(40)
  assert.equal(list.size, 0)
})

test('stays consistent across compactions', () => {
  const list = new ChunkList()
  let next = 1
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 10; i++, next++) list.push(next, next)
    list.takeThroughSeq(next - 6)
  }
  assert.deepEqual(ids(list), [next - 5, next - 4, next - 3, next - 2, next - 1])
  assert.equal(list.indexAfter(next - 3), 3)
})

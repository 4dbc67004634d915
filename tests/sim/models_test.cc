// Unit tests of the simulated world's parts: scheduler, clocks, network.
#include <gtest/gtest.h>

#include <vector>

#include "sim/clock_model.h"
#include "sim/network_model.h"
#include "sim/random.h"
#include "sim/scheduler.h"

namespace parley::sim {
namespace {

TEST(Scheduler, RunsInTimeThenSchedulingOrder) {
  Scheduler s;
  std::vector<int> order;
  s.At(20, [&] { order.push_back(3); });
  s.At(10, [&] { order.push_back(1); });
  s.At(10, [&] {
    order.push_back(2);
    s.After(0, [&] { order.push_back(25); });  // same instant, after what is queued
  });
  s.At(30, [&] { order.push_back(4); });
  s.RunUntil(20);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 25, 3}));
  EXPECT_EQ(s.now_us(), 20u);
  EXPECT_EQ(s.pending(), 1u);
}

TEST(Random, StreamsAreIndependentAndRepeatable) {
  EXPECT_EQ(DeriveSeed(1, Stream::kLink, 5), DeriveSeed(1, Stream::kLink, 5));
  EXPECT_NE(DeriveSeed(1, Stream::kLink, 5), DeriveSeed(1, Stream::kLink, 6));
  EXPECT_NE(DeriveSeed(1, Stream::kLink, 5), DeriveSeed(1, Stream::kDisk, 5));
  EXPECT_NE(DeriveSeed(1, Stream::kLink, 5), DeriveSeed(2, Stream::kLink, 5));
  SimRandom r(3);
  for (int i = 0; i < 1000; ++i) {
    double u = r.Unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(r.Below(7), 7u);
  }
}

TEST(ClockModel, OffsetDriftAndMonotonicJumps) {
  ClockModel c(-500, 10000);  // 1% fast
  EXPECT_EQ(c.LocalMs(0), ClockModel::kEpochMs - 500);
  EXPECT_EQ(c.LocalMs(1'000'000), ClockModel::kEpochMs - 500 + 1010);
  uint64_t at = c.TrueUsAt(ClockModel::kEpochMs + 2000);
  ClockModel copy = c;
  EXPECT_GE(copy.LocalMs(at), ClockModel::kEpochMs + 2000);
  EXPECT_LT(ClockModel(-500, 10000).LocalMs(at - 1), ClockModel::kEpochMs + 2000);
  uint64_t before = c.LocalMs(2'000'000);
  c.Jump(-10000);
  EXPECT_EQ(c.LocalMs(2'001'000), before);  // stands still rather than going back
}

TEST(NetworkModel, FramesAreOrderedAndDieWithTheirConnection) {
  LinkParams p;
  p.latency_ms = 5;
  p.jitter_ms = 20;
  NetworkModel net(1, 3, p);
  uint64_t last = 0;
  uint64_t connection = 0;
  for (int i = 0; i < 100; ++i) {
    NetworkModel::Route r = net.Send(0, 1, Transport::kFrame, 1000);
    ASSERT_EQ(r.count, 1);
    EXPECT_GT(r.deliveries[0].at_us, last);
    last = r.deliveries[0].at_us;
    connection = r.deliveries[0].connection;
  }
  EXPECT_TRUE(net.StillConnected(0, 1, connection));
  net.SetBlocked(1, 0, true);  // one direction down: TCP breaks both ways
  EXPECT_EQ(net.Send(0, 1, Transport::kFrame, 2000).count, 0);
  EXPECT_FALSE(net.StillConnected(0, 1, connection));
  net.HealAll();
  EXPECT_FALSE(net.StillConnected(0, 1, connection));  // a new connection now
  NetworkModel::Route r = net.Send(0, 1, Transport::kFrame, 3000);
  ASSERT_EQ(r.count, 1);
  net.BreakConnections(1);  // the receiver crashed
  EXPECT_FALSE(net.StillConnected(0, 1, r.deliveries[0].connection));
}

TEST(NetworkModel, DatagramLossDuplicationAndOneWayCuts) {
  LinkParams p;
  p.loss = 0.3;
  p.duplicate = 0.2;
  NetworkModel net(7, 2, p);
  int delivered = 0;
  for (int i = 0; i < 10000; ++i) delivered += net.Send(0, 1, Transport::kDatagram, 0).count;
  EXPECT_GT(delivered, 7000 * 1.1);
  EXPECT_LT(delivered, 7000 * 1.3);
  net.SetBlocked(0, 1, true);
  EXPECT_EQ(net.Send(0, 1, Transport::kDatagram, 0).count, 0);
  net.SetDirectionalLoss(1, 0, 1.0);
  EXPECT_EQ(net.Send(1, 0, Transport::kDatagram, 0).count, 0);
}

}  // namespace
}  // namespace parley::sim

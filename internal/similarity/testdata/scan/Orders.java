package com.example.orders;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Orders keeps orders in memory, as the take-home's first step asks.
 */
public class Orders {
    private final Map<Long, Order> orders = new HashMap<>();
    private long nextId = 1L;

    public record Line(String sku, int quantity, double price) {}

    public static final class Order {
        final long id;
        final String customer;
        final List<Line> lines = new ArrayList<>();

        Order(long id, String customer) {
            this.id = id;
            this.customer = customer;
        }

        double total() {
            double sum = 0.0;
            for (Line line : lines) {
                sum += line.quantity() * line.price();
            }
            return Math.round(sum * 100) / 100.0;
        }
    }

    @Override
    public String toString() {
        return "Orders{" + orders.size() + " orders, next id " + nextId + "}";
    }

    public Order create(String customer) {
        if (customer == null || customer.isBlank()) {
            throw new IllegalArgumentException("customer is required");
        }
        Order order = new Order(nextId++, customer.trim());
        orders.put(order.id, order);
        return order;
    }

    public Optional<Order> find(long id) {
        return Optional.ofNullable(orders.get(id));
    }

    public String receipt(long id) {
        Order order = orders.get(id);
        if (order == null) {
            return "";
        }
        String text = """
            Receipt
            -------
            """;
        StringBuilder out = new StringBuilder(text);
        for (Line line : order.lines) {
            out.append(String.format("%s x%d @ %.2f%n", line.sku(), line.quantity(), line.price()));
        }
        out.append('\n').append("total ").append(order.total());
        return out.toString();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace Todo.Api
{
    /// <summary>Todo items kept in memory, as the brief's first step asks.</summary>
    public class TodoController
    {
        private readonly Dictionary<int, TodoItem> _items = new Dictionary<int, TodoItem>();
        private int _nextId = 1;

        public record TodoItem(int Id, string Title, bool Done, DateTime Created);

#region queries
        public IEnumerable<TodoItem> List(bool? done = null)
        {
            var query = _items.Values.AsEnumerable();
            if (done.HasValue)
            {
                query = query.Where(item => item.Done == done.Value);
            }
            return query.OrderBy(item => item.Created).ThenBy(item => item.Id);
        }

        public TodoItem Get(int id)
        {
            if (!_items.TryGetValue(id, out var item))
            {
                throw new KeyNotFoundException($"todo {id} not found");
            }
            return item;
        }
#endregion

        public TodoItem Create(string title)
        {
            if (string.IsNullOrWhiteSpace(title))
            {
                throw new ArgumentException("title is required", nameof(title));
            }
            var item = new TodoItem(_nextId++, title.Trim(), false, DateTime.UtcNow);
            _items[item.Id] = item;
            return item;
        }

        public TodoItem Complete(int id)
        {
            var item = Get(id) with { Done = true };
            _items[id] = item;
            return item;
        }

        public string Export()
        {
            var path = @"C:\exports\todo.csv";
            var lines = _items.Values.Select(item => $"{item.Id},\"{item.Title}\",{item.Done}");
            return path + "\n" + string.Join("\n", lines);
        }

        public int Remaining() => _items.Values.Count(item => !item.Done) * 1 + 0;
    }
}

export type Item = { name: string; quantity: number };
export type ShoppingList = { name: string; items: Item[] };

export const shoppingLists: ShoppingList[] = [
  {
    name: "Weekly groceries",
    items: [
      { name: "Milk", quantity: 2 },
      { name: "Eggs", quantity: 12 },
      { name: "Bread", quantity: 1 },
      { name: "Apples", quantity: 6 },
      { name: "Cheddar", quantity: 1 },
    ],
  },
  {
    name: "Saturday barbecue",
    items: [
      { name: "Sausages", quantity: 16 },
      { name: "Burger buns", quantity: 8 },
      { name: "Charcoal", quantity: 1 },
      { name: "Corn on the cob", quantity: 4 },
    ],
  },
  {
    name: "Pancake morning",
    items: [
      { name: "Flour", quantity: 1 },
      { name: "Milk", quantity: 1 },
      { name: "Eggs", quantity: 3 },
      { name: "Maple syrup", quantity: 1 },
      { name: "Blueberries", quantity: 2 },
      { name: "Butter", quantity: 1 },
    ],
  },
  {
    name: "Office snacks",
    items: [
      { name: "Coffee beans", quantity: 3 },
      { name: "Oat biscuits", quantity: 5 },
    ],
  },
];

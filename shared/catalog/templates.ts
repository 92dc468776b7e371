import type { EmailTemplateInput } from '../domain/email-template.ts';

/**
 * Email templates (Liquid; HTML output is escaped by default). Variables:
 * `first_name` (string or nil), `cart` ({ value, currency, items[], item_count } or nil),
 * `event` (the triggering event's properties), `brand` ({ name }).
 */
export const templates: EmailTemplateInput[] = [
  {
    id: 'welcome',
    subject: 'Welcome to {{ brand.name }}, {{ first_name | default: "friend" }}!',
    preheader: 'Here is what to expect from us.',
    html: `<h1>Welcome, {{ first_name | default: "friend" }}!</h1>
<p>Thanks for subscribing to {{ brand.name }}. We will only write when we have something worth your time:
new arrivals, useful guides and the occasional offer.</p>
<p>See you soon,<br>The {{ brand.name }} team</p>`,
    text: `Welcome, {{ first_name | default: "friend" }}!

Thanks for subscribing to {{ brand.name }}. We will only write when we have something worth your time:
new arrivals, useful guides and the occasional offer.

See you soon,
The {{ brand.name }} team`,
  },
  {
    id: 'cart_reminder',
    requires: ['cart'],
    subject:
      '{{ first_name | default: "Hi" }}, {% if cart.item_count > 0 %}you left {{ cart.item_count }} item{% if cart.item_count != 1 %}s{% endif %} in your cart{% else %}your cart is still waiting{% endif %}',
    preheader: 'Your cart is saved: {{ cart.value | money: cart.currency }}.',
    html: `<h1>Still thinking it over, {{ first_name | default: "friend" }}?</h1>
<p>Your cart is waiting for you:</p>
<table>
{%- for item in cart.items %}
  <tr><td>{{ item.name | default: item.productId }}</td><td>&times; {{ item.quantity }}</td><td>{{ item.price | money: cart.currency }}</td></tr>
{%- endfor %}
</table>
{%- if cart.item_count > cart.items.size %}
<p>…and {{ cart.item_count | minus: cart.items.size }} more.</p>
{%- endif %}
<p><strong>Total: {{ cart.value | money: cart.currency }}</strong></p>`,
    text: `Still thinking it over, {{ first_name | default: "friend" }}?

Your cart is waiting for you:
{% for item in cart.items %}- {{ item.name | default: item.productId }} x {{ item.quantity }}: {{ item.price | money: cart.currency }}
{% endfor %}{% if cart.item_count > cart.items.size %}...and {{ cart.item_count | minus: cart.items.size }} more.
{% endif %}
Total: {{ cart.value | money: cart.currency }}`,
  },
];

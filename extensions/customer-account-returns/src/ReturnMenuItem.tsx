import "@shopify/ui-extensions/preact";
import { render } from "preact";

/** The menu entry on an order; Shopify opens the ReturnAction target when it is pressed. */
export default async () => {
  render(<s-button>Return items</s-button>, document.body);
};

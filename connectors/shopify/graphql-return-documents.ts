/**
 * The Admin GraphQL documents for returns (2026-04): the current return-processing API
 * (returnRequest / returnCreate / returnApproveRequest / returnDeclineRequest / returnProcess
 * with financialTransfer, reverseDeliveryCreateWithShipping), never the deprecated returnRefund.
 * Listed in ALL_DOCUMENTS (graphql-documents.ts), so the schema test and the sandbox validate
 * every one of them against the published SDL.
 */

/**
 * Everything the return writer reads about a return: its lines keyed back to the order's line
 * items, what is still unprocessed, the reverse fulfillment order lines (where dispositions go)
 * and whether a reverse delivery (our label) exists yet.
 */
const RETURN_FIELDS = /* GraphQL */ `
  id
  name
  status
  order { id }
  returnLineItems(first: 50) {
    pageInfo { hasNextPage }
    nodes {
      id
      quantity
      unprocessedQuantity
      ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } }
    }
  }
  exchangeLineItems(first: 20) {
    nodes { id quantity unprocessedQuantity variantId }
  }
  reverseFulfillmentOrders(first: 3) {
    nodes {
      id
      status
      lineItems(first: 50) {
        nodes { id totalQuantity fulfillmentLineItem { id lineItem { id } } }
      }
      reverseDeliveries(first: 3) { nodes { id } }
    }
  }
`;

const RETURN_USER_ERRORS = /* GraphQL */ `userErrors { field message code }`;

export const RETURN_QUERY = /* GraphQL */ `
  query SwitchyardReturn($id: ID!) {
    return(id: $id) {
      ${RETURN_FIELDS}
    }
  }
`;

/**
 * An order's newest returns, just enough to recognise one (its lines by order line item): how a
 * placement whose answer was lost is found again. The one found is then read with RETURN_QUERY.
 */
export const ORDER_RETURNS_QUERY = /* GraphQL */ `
  query SwitchyardOrderReturns($orderId: ID!) {
    order(id: $orderId) {
      id
      returns(first: 5, reverse: true) {
        nodes {
          id
          status
          returnLineItems(first: 20) {
            nodes {
              quantity
              ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } }
            }
          }
        }
      }
    }
  }
`;

/** Whether Shopify has the order at all, before anything is placed on it. */
export const ORDER_FOR_RETURN_QUERY = /* GraphQL */ `
  query SwitchyardOrderForReturn($orderId: ID!) {
    order(id: $orderId) { id name }
  }
`;

/** Which fulfilled units of an order can still be returned, by fulfillment line item. */
export const RETURNABLE_FULFILLMENTS_QUERY = /* GraphQL */ `
  query SwitchyardReturnableFulfillments($orderId: ID!) {
    returnableFulfillments(orderId: $orderId, first: 5) {
      nodes {
        id
        returnableFulfillmentLineItems(first: 40) {
          nodes {
            quantity
            fulfillmentLineItem { id lineItem { id } }
          }
        }
      }
    }
  }
`;

/** Shopify's return reason library, looked up by handle (2026-04 takes a definition id, not the old enum). */
export const RETURN_REASON_DEFINITIONS_QUERY = /* GraphQL */ `
  query SwitchyardReturnReasonDefinitions($handles: [String!]) {
    returnReasonDefinitions(first: 20, handles: $handles) {
      nodes { id handle name deleted }
    }
  }
`;

export const RETURN_REQUEST_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnRequest($input: ReturnRequestInput!) {
    returnRequest(input: $input) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

export const RETURN_CREATE_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnCreate($returnInput: ReturnInput!) {
    returnCreate(returnInput: $returnInput) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

export const RETURN_APPROVE_REQUEST_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnApproveRequest($input: ReturnApproveRequestInput!) {
    returnApproveRequest(input: $input) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

export const RETURN_DECLINE_REQUEST_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnDeclineRequest($input: ReturnDeclineRequestInput!) {
    returnDeclineRequest(input: $input) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

export const RETURN_CANCEL_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnCancel($id: ID!) {
    returnCancel(id: $id) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

export const RETURN_CLOSE_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnClose($id: ID!) {
    returnClose(id: $id) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

/** Our return label on Shopify's reverse fulfillment order, so Shopify's admin and emails show it. */
export const REVERSE_DELIVERY_CREATE_WITH_SHIPPING_MUTATION = /* GraphQL */ `
  mutation SwitchyardReverseDeliveryCreateWithShipping(
    $reverseFulfillmentOrderId: ID!
    $reverseDeliveryLineItems: [ReverseDeliveryLineItemInput!]!
    $trackingInput: ReverseDeliveryTrackingInput
    $labelInput: ReverseDeliveryLabelInput
    $notifyCustomer: Boolean
  ) {
    reverseDeliveryCreateWithShipping(
      reverseFulfillmentOrderId: $reverseFulfillmentOrderId
      reverseDeliveryLineItems: $reverseDeliveryLineItems
      trackingInput: $trackingInput
      labelInput: $labelInput
      notifyCustomer: $notifyCustomer
    ) {
      reverseDelivery {
        id
        deliverable {
          ... on ReverseDeliveryShippingDeliverable {
            tracking { number url }
            label { publicFileUrl }
          }
        }
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

/**
 * Confirms returned and exchanged units with their dispositions and moves the money through
 * `financialTransfer` (original payment or store credit). Shopify answers the processed
 * quantities on the return, which is how a repeat is recognised before it is sent.
 */
export const RETURN_PROCESS_MUTATION = /* GraphQL */ `
  mutation SwitchyardReturnProcess($input: ReturnProcessInput!) {
    returnProcess(input: $input) {
      return {
        ${RETURN_FIELDS}
      }
      ${RETURN_USER_ERRORS}
    }
  }
`;

/** The payments a refund goes back to (its parent transaction). */
export const ORDER_TRANSACTIONS_QUERY = /* GraphQL */ `
  query SwitchyardOrderTransactions($orderId: ID!) {
    order(id: $orderId) {
      id
      transactions(first: 20) {
        id
        kind
        status
        gateway
        amountSet { shopMoney { amount currencyCode } }
      }
    }
  }
`;

/**
 * A refund outside a return (nothing returnable on Shopify for the lines). 2026-04 makes the
 * idempotency key mandatory, as the `@idempotent(key:)` field directive.
 */
export const REFUND_CREATE_MUTATION = /* GraphQL */ `
  mutation SwitchyardRefundCreate($input: RefundInput!, $idempotencyKey: String!) {
    refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
      refund {
        id
        totalRefundedSet { shopMoney { amount currencyCode } }
      }
      userErrors { field message }
    }
  }
`;

export const RETURN_DOCUMENTS: Readonly<Record<string, string>> = {
  RETURN_QUERY,
  ORDER_RETURNS_QUERY,
  ORDER_FOR_RETURN_QUERY,
  RETURNABLE_FULFILLMENTS_QUERY,
  RETURN_REASON_DEFINITIONS_QUERY,
  RETURN_REQUEST_MUTATION,
  RETURN_CREATE_MUTATION,
  RETURN_APPROVE_REQUEST_MUTATION,
  RETURN_DECLINE_REQUEST_MUTATION,
  RETURN_CANCEL_MUTATION,
  RETURN_CLOSE_MUTATION,
  REVERSE_DELIVERY_CREATE_WITH_SHIPPING_MUTATION,
  RETURN_PROCESS_MUTATION,
  ORDER_TRANSACTIONS_QUERY,
  REFUND_CREATE_MUTATION,
};

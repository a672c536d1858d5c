/**
 * Word lists for the synthetic help centre of the search benchmark: eight support topics in three
 * languages, plus sentence frames. Real words (so stemming and stopwords behave as in production);
 * the generator adds invented product and place names so that topics split into finer clusters.
 */
export type BenchLanguage = 'en' | 'pt' | 'es';

export interface TopicWords {
  readonly heading: readonly string[];
  readonly words: readonly string[];
}

export const TOPICS: Readonly<Record<BenchLanguage, readonly TopicWords[]>> = {
  en: [
    {
      heading: ['Shipping', 'Delivery times', 'Carriers'],
      words:
        'shipping delivery parcel courier carrier tracking express standard business days warehouse dispatch address postcode signature doorstep weekend holiday region island remote customs duties'.split(
          ' ',
        ),
    },
    {
      heading: ['Returns', 'Refunds', 'Exchanges'],
      words:
        'return refund exchange label prepaid window condition unworn tags receipt inspection warehouse credit original method faulty damaged replacement swap store voucher'.split(
          ' ',
        ),
    },
    {
      heading: ['Payments', 'Billing', 'Invoices'],
      words:
        'payment card credit debit declined authorization charge instalments invoice billing tax wallet voucher gift balance currency bank transfer fraud verification receipt'.split(
          ' ',
        ),
    },
    {
      heading: ['Your account', 'Sign-in', 'Privacy'],
      words:
        'account password reset email login sign verification code profile address newsletter unsubscribe delete privacy data security locked device session username confirmation'.split(
          ' ',
        ),
    },
    {
      heading: ['Sizing', 'Fit', 'Measurements'],
      words:
        'size fit chest waist length sleeve inseam shoe width narrow wide small large measurement chart conversion half true tight loose stretch'.split(
          ' ',
        ),
    },
    {
      heading: ['Product care', 'Materials', 'Warranty'],
      words:
        'wash care cotton wool leather waterproof fabric material warranty defect repair stitching zipper sole cleaning dryer iron bleach stain fading guarantee'.split(
          ' ',
        ),
    },
    {
      heading: ['Orders', 'Order status', 'Cancellations'],
      words:
        'order status cancel change modify confirmation missing item split processing shipped delivered hold pending packing slip number history reorder quantity'.split(
          ' ',
        ),
    },
    {
      heading: ['Stores', 'Loyalty', 'Promotions'],
      words:
        'store opening hours loyalty points reward member discount promotion coupon code sale outlet birthday student voucher pickup appointment event newsletter referral'.split(
          ' ',
        ),
    },
  ],
  pt: [
    {
      heading: ['Entrega', 'Prazos de entrega', 'Transportadoras'],
      words:
        'entrega frete transportadora rastreamento encomenda prazo dias úteis correios sedex endereço cep região interior capital despacho centro distribuição retirada agência tentativa'.split(
          ' ',
        ),
    },
    {
      heading: ['Trocas e devoluções', 'Reembolso', 'Troca'],
      words:
        'troca devolução reembolso estorno etiqueta postagem prazo condição embalagem original defeito avaria crédito loja conferência arrependimento produto errado coleta vale'.split(
          ' ',
        ),
    },
    {
      heading: ['Pagamentos', 'Parcelamento', 'Nota fiscal'],
      words:
        'pagamento cartão crédito débito parcelamento parcelas juros boleto pix vencimento aprovação recusado fatura nota fiscal cupom desconto carteira saldo antifraude'.split(
          ' ',
        ),
    },
    {
      heading: ['Minha conta', 'Senha', 'Privacidade'],
      words:
        'conta senha cadastro login email redefinir link verificação perfil endereço celular notificação excluir privacidade dados bloqueada acesso cpf confirmação segurança'.split(
          ' ',
        ),
    },
    {
      heading: ['Guia de tamanhos', 'Medidas', 'Numeração'],
      words:
        'tamanho medidas busto cintura quadril comprimento manga numeração calçado forma pequeno grande justo folgado tabela conversão elastano modelagem pé centímetros'.split(
          ' ',
        ),
    },
    {
      heading: ['Cuidados', 'Materiais', 'Garantia'],
      words:
        'lavagem cuidados algodão lã couro impermeável tecido material garantia defeito conserto costura zíper sola limpeza secadora ferro alvejante mancha desbotamento'.split(
          ' ',
        ),
    },
    {
      heading: ['Pedidos', 'Status do pedido', 'Cancelamento'],
      words:
        'pedido status cancelar alterar confirmação faltando item volumes faturado despachado entregue aguardando separação número histórico quantidade atraso extravio'.split(
          ' ',
        ),
    },
    {
      heading: ['Lojas', 'Fidelidade', 'Promoções'],
      words:
        'loja horário funcionamento fidelidade pontos recompensa membro desconto promoção cupom liquidação outlet aniversário estudante retirada evento indicação shopping'.split(
          ' ',
        ),
    },
  ],
  es: [
    {
      heading: ['Envíos', 'Plazos de entrega', 'Transportistas'],
      words:
        'envío entrega paquete mensajero transportista seguimiento exprés plazo laborables almacén dirección código postal península islas aduanas aranceles recogida punto'.split(
          ' ',
        ),
    },
    {
      heading: ['Devoluciones', 'Reembolsos', 'Cambios'],
      words:
        'devolución reembolso cambio etiqueta plazo condición embalaje original etiquetas defectuoso dañado sustitución tienda vale recogida domicilio revisión artículo talla'.split(
          ' ',
        ),
    },
    {
      heading: ['Pagos', 'Facturación', 'Facturas'],
      words:
        'pago tarjeta crédito débito rechazado autorización cargo plazos factura facturación impuestos monedero regalo saldo moneda transferencia fraude verificación bizum'.split(
          ' ',
        ),
    },
    {
      heading: ['Mi cuenta', 'Contraseña', 'Privacidad'],
      words:
        'cuenta contraseña restablecer correo inicio sesión verificación código perfil dirección newsletter baja eliminar privacidad datos seguridad bloqueada dispositivo usuario'.split(
          ' ',
        ),
    },
    {
      heading: ['Guía de tallas', 'Medidas', 'Ajuste'],
      words:
        'talla ajuste pecho cintura cadera largo manga calzado ancho estrecho pequeño grande medida tabla conversión media holgado ceñido elástico pie centímetros'.split(
          ' ',
        ),
    },
    {
      heading: ['Cuidado', 'Materiales', 'Garantía'],
      words:
        'lavado cuidado algodón lana cuero impermeable tejido material garantía defecto reparación costura cremallera suela limpieza secadora plancha lejía mancha desgaste'.split(
          ' ',
        ),
    },
    {
      heading: ['Pedidos', 'Estado del pedido', 'Cancelaciones'],
      words:
        'pedido estado cancelar modificar confirmación falta artículo bultos preparación enviado entregado pendiente albarán número historial cantidad retraso incidencia'.split(
          ' ',
        ),
    },
    {
      heading: ['Tiendas', 'Fidelización', 'Promociones'],
      words:
        'tienda horario apertura fidelización puntos recompensa socio descuento promoción cupón rebajas outlet cumpleaños estudiante recogida evento invitación centro'.split(
          ' ',
        ),
    },
  ],
};

/** Sentence frames; `{t}` is a topic word, `{n}` an invented name of the passage's cluster, `{d}` a number. */
export const FRAMES: Readonly<Record<BenchLanguage, readonly string[]>> = {
  en: [
    'The {t} for {n} usually takes {d} business days, and the {t} is confirmed by email.',
    'If your {t} is not what you expected, contact us within {d} days and mention {n}.',
    'Customers who choose {n} can check the {t} and the {t} in their account at any time.',
    'We cannot change the {t} once the {t} has started, but {n} orders are an exception.',
    'For {n}, the {t} costs {d} dollars and includes {t} at no extra charge.',
    'Please keep the {t} until the {t} is complete; we may ask for it when you reach out about {n}.',
    'Most questions about {t} and {t} are answered on this page, including the rules for {n}.',
    'Our team reviews every {t} within {d} hours and replies with the next steps for {n}.',
  ],
  pt: [
    'O {t} para {n} costuma levar {d} dias úteis, e a {t} é confirmada por e-mail.',
    'Se a sua {t} não estiver correta, fale com a gente em até {d} dias e informe {n}.',
    'Quem escolhe {n} pode acompanhar o {t} e a {t} na sua conta a qualquer momento.',
    'Não é possível mudar o {t} depois que a {t} começou, mas pedidos {n} são uma exceção.',
    'Para {n}, o {t} custa R$ {d} e inclui {t} sem custo adicional.',
    'Guarde o {t} até concluir a {t}; podemos pedir esse dado quando você falar sobre {n}.',
    'As dúvidas mais comuns sobre {t} e {t} estão nesta página, incluindo as regras de {n}.',
    'Nossa equipe analisa cada {t} em até {d} horas e responde com os próximos passos para {n}.',
  ],
  es: [
    'El {t} para {n} suele tardar {d} días laborables y la {t} se confirma por correo.',
    'Si tu {t} no es correcta, escríbenos en un plazo de {d} días e indica {n}.',
    'Quien elige {n} puede consultar el {t} y la {t} en su cuenta en cualquier momento.',
    'No podemos cambiar el {t} una vez iniciada la {t}, pero los pedidos {n} son una excepción.',
    'Para {n}, el {t} cuesta {d} euros e incluye {t} sin coste adicional.',
    'Conserva el {t} hasta completar la {t}; podemos pedírtelo cuando nos escribas sobre {n}.',
    'Las dudas más habituales sobre {t} y {t} se resuelven en esta página, incluidas las normas de {n}.',
    'Nuestro equipo revisa cada {t} en un máximo de {d} horas y te indica los siguientes pasos para {n}.',
  ],
};

/** How customers open and pad their questions. */
export const QUESTION_FRAMES: Readonly<Record<BenchLanguage, readonly string[]>> = {
  en: [
    'hi, how does the {t} work for {n}? I also want to know about {t}',
    'my {t} for {n} has a problem with the {t}, what should I do',
    'hello! question about {t} and {n}, can you help me please',
    'how many days for {t} with {n} and is there any {t}?',
  ],
  pt: [
    'oi, como funciona o {t} para {n}? queria saber também sobre {t}',
    'meu {t} do {n} deu problema com a {t}, o que eu faço',
    'olá! dúvida sobre {t} e {n}, podem me ajudar por favor',
    'quantos dias para {t} com {n} e tem {t}?',
  ],
  es: [
    'hola, ¿cómo funciona el {t} para {n}? también quiero saber sobre {t}',
    'mi {t} de {n} tiene un problema con la {t}, qué hago',
    '¡hola! duda sobre {t} y {n}, ¿me podéis ayudar?',
    'cuántos días para {t} con {n} y hay {t}?',
  ],
};

const SYLLABLES =
  'ka lo mi ren to va sel dra qui mon tes bar fi nel sor pa lu vin gor che tam ri zo bel'.split(' ');

/** A pronounceable invented word (product line or place name), distinct for every `seed` below 13 248. */
export function inventName(seed: number): string {
  let value = seed + SYLLABLES.length ** 2;
  const parts: string[] = [];
  while (value > 0) {
    parts.push(SYLLABLES[value % SYLLABLES.length]!);
    value = Math.floor(value / SYLLABLES.length);
  }
  const name = parts.join('');
  return name.charAt(0).toUpperCase() + name.slice(1);
}
